package dev.llmforge.spark;

import java.io.Serializable;
import java.net.InetSocketAddress;

/** A replica of a data-parallel run: its rank and the address its ring socket listens on. */
public record Peer(int rank, String host, int port) implements Serializable {

    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** "rank 1 at 10.0.0.7:41234", as errors name it. */
    @Override
    public String toString() {
        return "rank " + rank + " at " + host + ":" + port;
    }
}
