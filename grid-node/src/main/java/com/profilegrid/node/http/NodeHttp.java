package com.profilegrid.node.http;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The node's HTTP server: health and readiness, and the routes of the parts mounted on it (ingest, admin). */
public final class NodeHttp implements AutoCloseable {

    private final Javalin app;

    private NodeHttp(Javalin app) {
        this.app = app;
    }

    public static NodeHttp start(String host, int port, Readiness readiness, List<Consumer<RoutesConfig>> mounts) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.get("/health", ctx -> health(ctx, readiness));
            config.routes.get("/ready", ctx -> ready(ctx, readiness));
            mounts.forEach(mount -> mount.accept(config.routes));
        });
        app.start(host, port);
        return new NodeHttp(app);
    }

    public int port() {
        return app.port();
    }

    private static void health(Context ctx, Readiness readiness) {
        boolean live = readiness.isLive();
        ctx.status(live ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("status", live ? "UP" : "DOWN"));
    }

    private static void ready(Context ctx, Readiness readiness) {
        Readiness.Report report = readiness.report(ctx.queryParamMap().containsKey("strict"));
        if (!report.ready()) {
            ctx.header("Retry-After", "1");
        }
        ctx.status(report.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report.body());
    }

    @Override
    public void close() {
        app.stop();
    }
}
