package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a fresh JVM by {@link OfflineStartTest}: blocks and records every HTTP(S) connection and
 * every socket a proxy selector is asked about, starts the backend, runs one op and prints what it
 * saw. Nothing leaves the machine: HTTP(S) connections fail before they connect.
 */
public final class OfflineStartProbe {
    private static final List<String> ATTEMPTS = new CopyOnWriteArrayList<>();

    private OfflineStartProbe() {
    }

    public static void main(String[] args) {
        URL.setURLStreamHandlerFactory(protocol -> protocol.equals("http") || protocol.equals("https") ? new Blocked() : null);
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                ATTEMPTS.add(uri.toString());
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        Backend backend = Backends.get("djl");
        float[] sum = Tensor.on(backend).of(new float[] {1, 2}, 2).add(Tensor.on(backend).of(new float[] {3, 4}, 2)).toFloatArray();
        System.out.println("result=" + Arrays.toString(sum));
        System.out.println("OPT_OUT_TRACKING=" + System.getProperty("OPT_OUT_TRACKING"));
        System.out.println("ai.djl.offline=" + System.getProperty("ai.djl.offline"));
        System.out.println("threads=" + ((DjlBackend) backend).threads());
        System.out.println("network=" + ATTEMPTS);
    }

    /** Records the URL and refuses to connect. */
    private static final class Blocked extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL u) throws IOException {
            ATTEMPTS.add(u.toString());
            throw new IOException("network access blocked by the offline probe: " + u);
        }

        @Override
        protected URLConnection openConnection(URL u, Proxy p) throws IOException {
            return openConnection(u);
        }
    }
}
