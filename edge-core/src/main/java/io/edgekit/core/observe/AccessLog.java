package io.edgekit.core.observe;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Completion;
import io.edgekit.core.Component;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Identity;
import io.edgekit.core.internal.JsonText;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange, the edge's own refusals included: time, request id, client address, method, path
 * (no query unless asked), route, endpoint, status, bytes in and out, total time and the time the upstream
 * attempts took (-1 without any), consumer, cache status and trace id. JSON or the common/combined formats. Lines are written by a
 * thread of their own, never the IO thread: a completion puts its line in a bounded queue, and a full
 * queue drops the line and counts it ({@link #dropped}). No field value beyond these, so no token, key or
 * secret is ever written. Add it with {@code Edge.Builder.listener} and {@code Edge.Builder.component}.
 */
public final class AccessLog implements ExchangeListener.Factory, Component {
    private static final Logger access = LoggerFactory.getLogger("edgekit.access");
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** The line formats. */
    public enum Format {
        /** A JSON object per line. */
        JSON,
        /** NCSA common log format, with the request id, route and times appended. */
        COMMON,
        /**
         * The combined format's shape, for tools that parse it; referrer and user agent are written as
         * {@code "-"}: they are field values, and a referrer may carry a token in its query.
         */
        COMBINED
    }

    private final Format format;
    private final boolean withQuery;
    private final Consumer<String> sink;
    private final Clock clock;
    private final BlockingQueue<String> queue;
    private final int queueSize;
    private final AtomicLong dropped = new AtomicLong();
    private volatile Thread writer;
    private volatile boolean closed;

    private AccessLog(Format format, boolean withQuery, Consumer<String> sink, Clock clock, int queueSize) {
        this.format = format;
        this.withQuery = withQuery;
        this.sink = sink;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.queueSize = queueSize;
    }

    /** Lines in {@code format} at INFO on logger {@code edgekit.access}, through a queue of 65,536 lines. */
    public static AccessLog toLogger(Format format) {
        return new AccessLog(requireNonNull(format, "format"), false, access::info, Clock.systemUTC(), 65_536);
    }

    /** Lines in {@code format} to {@code sink} (it may block: it runs on the log's own thread). */
    public static AccessLog to(Format format, Consumer<String> sink, int queueSize) {
        return new AccessLog(requireNonNull(format, "format"), false, requireNonNull(sink, "sink"), Clock.systemUTC(),
                queueSize);
    }

    /** This log with the query string in the path (off by default: queries may carry secrets). */
    public AccessLog withQuery() {
        return new AccessLog(format, true, sink, clock, queueSize);
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** One per exchange: it adds up the time the upstream attempts took (mirrors aside). */
    private final class Listener implements ExchangeListener {
        private long upstreamNanos = -1;

        @Override
        public void attemptEnded(io.edgekit.core.Attempt attempt, io.edgekit.core.Outcome outcome) {
            if (attempt.kind() != io.edgekit.core.Attempt.Kind.MIRROR && attempt.endpoint() != null) {
                upstreamNanos = Math.max(0, upstreamNanos) + outcome.latencyNanos();
            }
        }

        @Override
        public void completed(Exchange exchange, Completion completion) {
            if (closed) {
                return;
            }
            if (!queue.offer(line(exchange, completion, upstreamNanos))) {
                dropped.incrementAndGet();
            }
            if (writer == null) {
                startWriter();
            }
        }
    }

    @Override
    public ExchangeListener create(Exchange exchange) {
        return new Listener();
    }

    @Override
    public void start(EdgeContext context) {
        startWriter();
    }

    private synchronized void startWriter() {
        if (writer != null || closed) {
            return;
        }
        Thread thread = new Thread(this::write, "edgekit-access-log");
        thread.setDaemon(true);
        writer = thread;
        thread.start();
    }

    private void write() {
        while (!closed || !queue.isEmpty()) {
            try {
                String line = queue.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    sink.accept(line);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                dropped.incrementAndGet(); // a sink that fails loses its line, never the writer
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        Thread thread = writer;
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String line(Exchange exchange, Completion c, long upstreamNanos) {
        String path = exchange.request().path();
        if (withQuery && !exchange.request().query().isEmpty()) {
            path = path + "?" + exchange.request().query();
        }
        String route = c.routeId().orElse("-");
        String endpoint = c.endpoint().map(e -> e.address()).orElse("-");
        String consumer = c.identity().map(Identity::subject).orElse("-");
        String cache = c.cacheStatus().orElse("-");
        String trace = exchange.get(TraceContext.TRACE_ID).orElse("-");
        double totalMs = c.totalNanos() / 1e6;
        double upstreamMs = upstreamNanos < 0 ? -1 : upstreamNanos / 1e6;
        Instant now = clock.instant();
        if (format == Format.JSON) {
            StringBuilder json = new StringBuilder(256).append('{');
            field(json, "time", now.toString()).append(',');
            field(json, "requestId", exchange.requestId()).append(',');
            field(json, "client", exchange.clientIp()).append(',');
            field(json, "method", exchange.request().method()).append(',');
            field(json, "path", path).append(',');
            field(json, "route", route).append(',');
            field(json, "endpoint", endpoint).append(',');
            json.append("\"status\":").append(c.status()).append(",\"bytesIn\":").append(c.bytesIn())
                    .append(",\"bytesOut\":").append(c.bytesOut())
                    .append(",\"totalMs\":").append(String.format(Locale.ROOT, "%.3f", totalMs))
                    .append(",\"upstreamMs\":").append(String.format(Locale.ROOT, "%.3f", upstreamMs)).append(',');
            field(json, "consumer", consumer).append(',');
            field(json, "cache", cache).append(',');
            field(json, "traceId", trace);
            if (c.error().isPresent()) {
                json.append(',');
                field(json, "error", c.error().get().getClass().getSimpleName());
            }
            return json.append('}').toString();
        }
        StringBuilder line = new StringBuilder(200);
        line.append(exchange.clientIp()).append(" - ").append(consumer.replace(' ', '_')).append(" [")
                .append(CLF.format(now)).append("] \"").append(exchange.request().method()).append(' ')
                .append(clean(path)).append(" HTTP/1.1\" ").append(c.status()).append(' ').append(c.bytesOut());
        if (format == Format.COMBINED) {
            line.append(" \"-\" \"-\"");
        }
        return line.append(" rid=").append(exchange.requestId()).append(" route=").append(route).append(" endpoint=")
                .append(endpoint).append(" in=").append(c.bytesIn())
                .append(String.format(Locale.ROOT, " total=%.3fms upstream=%.3fms", totalMs, upstreamMs)).append(" cache=")
                .append(clean(cache)).append(" trace=").append(trace).toString();
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return JsonText.quote(json.append('"').append(name).append("\":"), value);
    }

    /** A value for a space-separated line: no spaces, quotes or control characters. */
    private static String clean(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            out.append(ch <= 0x20 || ch == '"' || ch == 0x7f ? '_' : ch);
        }
        return out.toString();
    }
}
