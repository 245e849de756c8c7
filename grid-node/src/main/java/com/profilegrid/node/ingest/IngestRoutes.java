package com.profilegrid.node.ingest;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.project.KeyKind;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.http.HttpAnswers;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracking endpoints: the Segment HTTP Tracking API under {@code /v1} and the Woopra tracking API
 * under {@code /track}. Every request is admitted, size-capped while it streams, authenticated by a
 * project write key, validated whole, rate-limited, and acknowledged only once durable:
 * 200 when in the tracking log, 202 when in the local spool.
 */
public final class IngestRoutes {

    private static final Map<String, EventType> SEGMENT_SINGLE = Map.of(
            "track", EventType.TRACK, "identify", EventType.IDENTIFY, "page", EventType.PAGE,
            "screen", EventType.SCREEN, "group", EventType.GROUP, "alias", EventType.ALIAS);

    private static final int OVERLOAD_RETRY_SECONDS = 5;

    private final Admission admission;
    private final ProjectKeys keys;
    private final Ingestor ingestor;
    private final Clock clock;
    private final TrackingMetrics metrics;
    private final java.util.function.Supplier<java.util.Optional<String>> shedding;
    private final SegmentMessages segment = new SegmentMessages();
    private final WoopraRequests woopra = new WoopraRequests();

    public IngestRoutes(Admission admission, ProjectKeys keys, Ingestor ingestor, Clock clock) {
        this(admission, keys, ingestor, clock, TrackingMetrics.none(), java.util.Optional::empty);
    }

    /** @param shedding why the node refuses tracking now, before reading a request (empty: it does not) */
    public IngestRoutes(Admission admission, ProjectKeys keys, Ingestor ingestor, Clock clock, TrackingMetrics metrics,
                        java.util.function.Supplier<java.util.Optional<String>> shedding) {
        this.metrics = metrics;
        this.shedding = shedding;
        this.admission = admission;
        this.keys = keys;
        this.ingestor = ingestor;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        // Segment's browser library (analytics.js) posts each call to the first letter of its type (/v1/t, /v1/i,
        // ...) and, batching, to /v1/b, with the write key in the body
        SEGMENT_SINGLE.forEach((path, type) -> {
            for (String each : List.of(path, path.substring(0, 1))) {
                routes.post(fromBrowsers(routes, "/v1/" + each), ctx -> segment(ctx, type));
            }
        });
        for (String path : List.of("/v1/batch", "/v1/import", "/v1/b")) {
            routes.post(fromBrowsers(routes, path), ctx -> segment(ctx, null));
        }
        // Woopra's trackers: GET (the browser tracker loads a script; server SDKs send GET) or POST with a form body;
        // the browser tracker adds a trailing slash to each path
        WoopraRequests.ENDPOINTS.forEach((endpoint, type) -> {
            for (String path : List.of("/track/" + endpoint, "/track/" + endpoint + "/")) {
                routes.get(fromBrowsers(routes, path), ctx -> woopra(ctx, type));
                routes.post(path, ctx -> woopra(ctx, type));
            }
        });
        for (String path : List.of("/track/push", "/track/push/")) {
            routes.post(fromBrowsers(routes, path), this::woopraPush);
        }
        routes.get(fromBrowsers(routes, "/v1/projects/{writeKey}/settings"), this::segmentSettings);
        routes.exception(IngestException.class, (e, ctx) -> {
            metrics.refused(dialect(ctx), e.reason());
            refuse(e, ctx);
        });
    }

    /**
     * Opens a tracking path to pages of any origin (CORS), as Segment's and Woopra's own endpoints are: tracking runs
     * in visitors' browsers on the customers' sites, and a browser hands a cross-origin answer to the page's script
     * only when it carries {@code Access-Control-Allow-Origin} (analytics.js otherwise takes every call for failed
     * and sends it again), and sends a request with other headers only after a preflight {@code OPTIONS} is answered.
     * The answer allows any origin without credentials: the write key travels in the request, never in a cookie.
     * Only the tracking paths are opened: profile reads, label queries and the admin API are for services, not pages.
     * (Three fixed headers; Javalin's CORS plugin matches rules by path pattern, and these are many exact paths
     * beside {@code /v1/profiles}.)
     *
     * @return {@code path}
     */
    private static String fromBrowsers(RoutesConfig routes, String path) {
        routes.before(path, ctx -> ctx.header("Access-Control-Allow-Origin", "*"));
        routes.options(path, ctx -> {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, Authorization");
            ctx.header("Access-Control-Max-Age", "86400");
            ctx.status(204);
        });
        return path;
    }

    /**
     * The settings analytics.js fetches from its CDN at load ({@code <cdnURL>/v1/projects/<writeKey>/settings}): with a
     * node as its {@code cdnURL}, it learns to send its calls to the node that answered (the request's host, as the
     * site reached it), so that one setting points a site's analytics.js at ProfileGrid. An unknown or revoked key
     * is a 404, as Segment answers it.
     */
    private void segmentSettings(Context ctx) {
        String writeKey = ctx.pathParam("writeKey");
        if (projectOfWriteKey(writeKey).isEmpty()) {
            HttpAnswers.failure(ctx, 404, "no project has this write key");
            return;
        }
        String forwarded = ctx.header("X-Forwarded-Proto");
        String protocol = forwarded != null && forwarded.equalsIgnoreCase("https") ? "https" : ctx.scheme();
        String host = ctx.host() != null ? ctx.host() : ctx.req().getServerName() + ":" + ctx.req().getServerPort();
        ctx.header("Cache-Control", "public, max-age=300");
        ctx.json(Map.of("integrations", Map.of("Segment.io", Map.of(
                "apiKey", writeKey, "apiHost", host + "/v1", "protocol", protocol))));
    }

    private void segment(Context ctx, EventType single) {
        long started = System.nanoTime();
        shed();
        try (Admission.Slot ignored = admission.enter()) {
            int limit = single != null ? SegmentMessages.MAX_MESSAGE_BYTES + 1024 : SegmentMessages.MAX_BATCH_BYTES;
            byte[] body = BoundedBody.read(ctx, limit, single != null ? "message" : "batch");
            SegmentMessages.Request request = segment.parse(body, single);
            String project = authenticate(basicUser(ctx), request.writeKey());
            List<TrackingEvent> events = segment.events(request, single, project, clock.instant());
            accept(ctx, project, events, started);
        }
    }

    private void woopra(Context ctx, EventType type) {
        long started = System.nanoTime();
        shed();
        try (Admission.Slot ignored = admission.enter()) {
            Map<String, String> params = new LinkedHashMap<>();
            ctx.queryParamMap().forEach((name, values) -> params.put(name, values.get(values.size() - 1)));
            if (ctx.method().name().equals("POST")) {
                params.putAll(WoopraForms.fields(ctx, BoundedBody.read(ctx, SegmentMessages.MAX_MESSAGE_BYTES, "request")));
            }
            String project = woopraProject(basicUser(ctx), params);
            accept(ctx, project, List.of(woopra.event(params, type, project, clock.instant())), started);
        }
    }

    /**
     * The browser tracker's beacon ({@code navigator.sendBeacon} to {@code /track/push/}): a form field {@code
     * payload} of JSON lines, each a hit of its own ({@code {"endpoint": "ce", "params": {...}}}). The hits are
     * taken together or not at all, all of one project.
     */
    private void woopraPush(Context ctx) {
        long started = System.nanoTime();
        shed();
        try (Admission.Slot ignored = admission.enter()) {
            Map<String, String> fields = WoopraForms.fields(ctx, BoundedBody.read(ctx, SegmentMessages.MAX_BATCH_BYTES,
                    "beacon"));
            String headerKey = basicUser(ctx);
            String project = null;
            List<TrackingEvent> events = new java.util.ArrayList<>();
            java.time.Instant now = clock.instant();
            for (WoopraForms.Hit hit : WoopraForms.pushed(fields.get("payload"))) {
                String hitProject = woopraProject(headerKey, hit.params());
                if (project != null && !project.equals(hitProject)) {
                    throw IngestException.unauthorized("a beacon's hits carry the write keys of two projects");
                }
                project = hitProject;
                events.add(woopra.event(hit.params(), hit.type(), project, now));
            }
            accept(ctx, project, events, started);
        }
    }

    /** The project of a Woopra hit's write key, from the HTTP Basic user name or the hit's parameters. */
    private String woopraProject(String headerKey, Map<String, String> params) {
        String paramKey = WoopraRequests.writeKey(params);
        if ((headerKey == null || headerKey.isEmpty()) && paramKey == null) {
            throw IngestException.unauthorized(WoopraRequests.missingKey(params));
        }
        return authenticate(headerKey, paramKey);
    }

    /** An overloaded node refuses tracking before it reads a body: 503 with Retry-After, nothing written. */
    private void shed() {
        shedding.get().ifPresent(why -> {
            throw new IngestException(503, "overloaded", why, OVERLOAD_RETRY_SECONDS, null);
        });
    }

    private void accept(Context ctx, String project, List<TrackingEvent> events, long started) {
        if (events.isEmpty()) {
            // an empty batch ({"batch": []}, authenticated): valid, and nothing to write or to charge
            ctx.json(Map.of("success", true));
            return;
        }
        admission.charge(project, events.size());
        Ingestor.Outcome outcome = ingestor.ingest(events);
        ctx.status(outcome == Ingestor.Outcome.LOGGED ? 200 : 202);
        if (dialect(ctx).equals("woopra") && ctx.method().name().equals("GET")) {
            // Woopra's browser tracker sends a GET hit as a <script> it loads: a JSON body there is a script with a
            // syntax error on the visitor's page (and in the site's error reporting); answer a script that does nothing
            ctx.contentType("application/javascript; charset=utf-8").result("/* ProfileGrid: "
                    + (outcome == Ingestor.Outcome.LOGGED ? "logged" : "spooled") + " */\n");
        } else {
            ctx.json(Map.of("success", true));
        }
        metrics.acknowledged(dialect(ctx), outcome, events.size(), started);
    }

    /** {@code segment} or {@code woopra}, by the request's path. */
    private static String dialect(Context ctx) {
        return ctx.path().startsWith("/track") ? "woopra" : "segment";
    }

    /** The project of the write key; two different keys in one request are refused, never resolved. */
    private String authenticate(String headerKey, String bodyKey) {
        if (headerKey != null && bodyKey != null && !headerKey.equals(bodyKey)) {
            throw IngestException.unauthorized("the request carries two different write keys");
        }
        String key = headerKey != null ? headerKey : bodyKey;
        if (key == null || key.isEmpty()) {
            throw IngestException.unauthorized("missing write key: send it as the HTTP Basic user name (or writeKey)");
        }
        return projectOfWriteKey(key)
                .orElseThrow(() -> IngestException.unauthorized(ProjectKeys.refusal(key, KeyKind.WRITE)));
    }

    /** The project of a write key (empty: no project has it), or 503 when the keys cannot be checked right now. */
    private java.util.Optional<String> projectOfWriteKey(String key) {
        try {
            return keys.projectFor(key, KeyKind.WRITE);
        } catch (RuntimeException e) {
            throw IngestException.unavailable("cannot check the write key right now", 5, e);
        }
    }

    private static String basicUser(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return null;
        }
        try {
            return HttpAnswers.basicUser(header).orElseThrow(() ->
                    IngestException.unauthorized("Authorization must be HTTP Basic with the write key as user name"));
        } catch (IllegalArgumentException e) {
            throw IngestException.unauthorized("Authorization is not valid base64");
        }
    }

    static void refuse(IngestException e, Context ctx) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Basic realm=\"ProfileGrid\"");
        }
        HttpAnswers.failure(ctx, e.status(), e.getMessage());
    }
}
