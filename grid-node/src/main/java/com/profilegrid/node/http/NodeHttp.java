package com.profilegrid.node.http;

import com.profilegrid.node.NodeRole;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The node's HTTP server: health and readiness, and the routes of the parts mounted on it (ingest, admin). */
public final class NodeHttp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeHttp.class);

    /** How long a stopping node lets requests under way finish (tracking answers within about 1.6 s). */
    static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(3);

    private final Javalin app;

    private NodeHttp(Javalin app) {
        this.app = app;
    }

    public static NodeHttp start(String host, int port, Readiness readiness, NodeRole role,
                                 List<Consumer<RoutesConfig>> mounts) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // a wrong method on a known path is 405, not 404; both, like every refusal, in the API's JSON shape
            config.http.prefer405over404 = true;
            // a stopping node answers the requests it has begun (up to STOP_GRACE) before it closes, rather than
            // cutting them off: their events may be in the log already, and an answer spares the client a resend
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_GRACE.toMillis());
                server.insertHandler(new org.eclipse.jetty.server.handler.GracefulHandler());
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> refuse(e, ctx, role));
            // a fault of the node's own, never of the request: logged with its trace, answered in the API's JSON shape;
            // one that passes (the database or a member unreachable for now) is a 503 the client may retry
            config.routes.exception(Exception.class, (e, ctx) -> {
                Optional<Throwable> passing = Unavailable.causeOf(e);
                if (passing.isPresent()) {
                    String why = Unavailable.describe(passing.get());
                    long retryAfter = Unavailable.RETRY_AFTER.toSeconds();
                    if (Unavailable.warnNow()) {
                        LOG.warn("{} {} answered 503 (further ones within 10 s at DEBUG): {}", ctx.method(), ctx.path(),
                                why);
                    }
                    LOG.debug("{} {} answered 503", ctx.method(), ctx.path(), e);
                    ctx.header("Retry-After", Long.toString(retryAfter));
                    HttpAnswers.failure(ctx, 503, "the node cannot answer now (" + why + "); retry after " + retryAfter
                            + " s");
                    return;
                }
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                HttpAnswers.failure(ctx, 500, "the node failed to answer (" + e.getClass().getSimpleName()
                        + "); its log has the details");
            });
            config.routes.get("/health", ctx -> health(ctx, readiness));
            config.routes.get("/ready", ctx -> ready(ctx, readiness));
            mounts.forEach(mount -> mount.accept(config.routes));
        });
        app.start(host, port);
        return new NodeHttp(app);
    }

    /** Javalin's own refusals (no such endpoint, method not allowed, ...) as JSON that says what to do. */
    private static void refuse(HttpResponseException e, Context ctx, NodeRole role) {
        String message = switch (e.getStatus()) {
            case 404 -> "no endpoint " + ctx.method() + " " + ctx.path() + ": " + whatIsServed(role) + "; see the README";
            case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path()
                    + (e.getDetails().isEmpty() ? "" : "; allowed: " + String.join(", ", e.getDetails().values()));
            default -> e.getMessage();
        };
        HttpAnswers.failure(ctx, e.getStatus(), message);
    }

    /** What a node of {@code role} serves, for the answer to a path it does not. */
    private static String whatIsServed(NodeRole role) {
        String tracking = "tracking is POST /v1/batch, /v1/track, /v1/identify, /v1/page, ... (Segment) or /track/ce, "
                + "/track/identify, /track/ping, /track/push (Woopra)";
        String profiles = "profiles are GET /v1/profiles/{id}";
        return switch (role) {
            case TRACKING -> "this is a tracking node (--role tracking): " + tracking + "; profiles, labels, triggers and "
                    + "the admin API are on the profiles nodes";
            case PROFILES -> "this is a profiles node (--role profiles): " + profiles + ", with labels, triggers and the "
                    + "admin API; send tracking to a tracking node";
            default -> tracking + "; " + profiles;
        };
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
