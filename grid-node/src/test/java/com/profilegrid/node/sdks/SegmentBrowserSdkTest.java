package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Segment's browser library (analytics.js: {@code @segment/analytics-next} from npm, its UMD build unchanged) in a real
 * headless Chromium, on a page of another origin than the node, as a customer's site runs it, with the node as its
 * {@code apiHost}: the page can read the node's answers (CORS), and the library's track, identify and page calls
 * (posted to its short paths {@code /v1/t}, {@code /v1/i}, {@code /v1/p}) make one profile, found by the user id and
 * by the anonymous id the library made. The library is given its settings in the page, or (as a site would with one
 * setting, {@code cdnURL}) fetches them from the node as from Segment's CDN. Needs {@code chromium} on the PATH
 * ({@code .ci/run} installs it; without it the test is skipped and says why).
 */
class SegmentBrowserSdkTest {

    static final String ANALYTICS_NEXT_VERSION = "1.84.3";
    private static final Pattern OUT = Pattern.compile("<pre id=\"out\">(.*?)</pre>", Pattern.DOTALL);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "settings {0}")
    @ValueSource(strings = {"in-page", "cdn"})
    void when_analytics_js_runs_on_a_page_of_another_origin_then_its_calls_land_and_it_reads_the_answers(String mode)
            throws Exception {
        assumeTrue(onPath("chromium"), "chromium is not on the PATH (apt-get install chromium; .ci/run installs it)");
        Path umd = NpmPackages.install("@segment/analytics-next", ANALYTICS_NEXT_VERSION)
                .resolve("node_modules/@segment/analytics-next/dist/umd");
        try (NodeFixture node = NodeFixture.start(dir.resolve("node"), TestDatabases.H2.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("browser");
            HttpServer site = site(umd);
            try {
                String page = "http://127.0.0.1:" + site.getAddress().getPort() + "/index.html?writeKey="
                        + URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8)
                        + "&node=127.0.0.1:" + node.node().httpPort() + "&user=u-" + mode + "&mode=" + mode;

                JsonNode out = NodeFixture.json(runPage(page));

                // the page read the node's answer: without CORS a browser hides it and fetch fails
                assertThat(out.has("rawError")).as(out.toString()).isFalse();
                assertThat(out.path("rawStatus").asInt()).as(out.toString()).isEqualTo(200);
                assertThat(out.path("rawBody").asText()).isEqualTo("{\"success\":true}");
                assertThat(out.has("analyticsError")).as(out.toString()).isFalse();
                String anonymousId = out.path("anonymousId").asText();
                assertThat(anonymousId).isNotEmpty();

                JsonNode profile = SdkProfiles.sameProfile(node, project, "u-" + mode, List.of(anonymousId), 3);
                assertThat(profile.path("eventCounts").path("Browser Click").asLong()).isEqualTo(1);
                assertThat(profile.path("eventCounts").path("$identify").asLong()).isEqualTo(1);
                assertThat(profile.path("eventCounts").path("$page").asLong()).isEqualTo(1);
                assertThat(profile.path("properties").path("plan").asText()).isEqualTo("pro");
                SdkProfiles.profile(node, project, "raw-fetch", 1);
            } finally {
                site.stop(0);
            }
        }
    }

    private static boolean onPath(String command) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, command))) {
                return true;
            }
        }
        return false;
    }

    /** The customer's site: the test page and the library's files, on an origin of its own (another port). */
    private static HttpServer site(Path umd) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/index.html", exchange -> {
            try (InputStream page = SegmentBrowserSdkTest.class.getResourceAsStream("/segment-browser/index.html")) {
                send(exchange, 200, "text/html; charset=utf-8", page.readAllBytes());
            }
        });
        server.createContext("/umd/", exchange -> {
            Path file = umd.resolve(exchange.getRequestURI().getPath().substring("/umd/".length())).normalize();
            if (!file.startsWith(umd) || !Files.isRegularFile(file)) {
                send(exchange, 404, "text/plain", new byte[0]);
            } else {
                send(exchange, 200, "application/javascript", Files.readAllBytes(file));
            }
        });
        server.start();
        return server;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Loads {@code url} in headless Chromium, lets its scripts run, and returns what the page wrote as its result. */
    private String runPage(String url) throws IOException, InterruptedException {
        Path stdout = dir.resolve("chromium-out.html");
        Path stderr = dir.resolve("chromium-err.txt");
        Process chromium = new ProcessBuilder("chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--virtual-time-budget=20000", "--dump-dom", url)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!chromium.waitFor(90, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 90 s: " + Files.readString(stderr));
        }
        String dom = Files.readString(stdout);
        Matcher out = OUT.matcher(dom);
        assertThat(out.find()).as("the page's result in: " + dom + "\n" + Files.readString(stderr)).isTrue();
        String result = out.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
        assertThat(result).as("the page's scripts did not finish").isNotEqualTo("running");
        return result;
    }
}
