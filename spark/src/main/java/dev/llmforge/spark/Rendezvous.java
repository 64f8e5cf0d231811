package dev.llmforge.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * What the replicas tell each other through Spark before they build the ring: each one's rank and the
 * address of the socket it already listens on (the port chosen by the OS), and the session rank 0 drew
 * (which guards the ring's connections against strays from another run or stage attempt). One
 * {@code allGather} carries one message per replica, in rank order.
 */
record Rendezvous(List<Peer> peers, long session) {

    /** The message of one replica; only rank 0's session is used. */
    static String message(Peer self, long session) {
        return self.rank() + " " + self.host() + " " + self.port() + " " + session;
    }

    /** The rendezvous from every replica's message, in rank order. */
    static Rendezvous parse(String[] messages) {
        List<Peer> peers = new ArrayList<>();
        long session = 0;
        for (int i = 0; i < messages.length; i++) {
            String[] parts = messages[i].trim().split(" ");
            try {
                if (parts.length != 4 || Integer.parseInt(parts[0]) != i) {
                    throw new IllegalArgumentException("wrong form");
                }
                peers.add(new Peer(i, parts[1], Integer.parseInt(parts[2])));
                if (i == 0) {
                    session = Long.parseLong(parts[3]);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("rendezvous message " + i + " is \"" + messages[i] + "\", expected \"" + i
                        + " host port session\" (replicas of different llmforge versions?)", e);
            }
        }
        return new Rendezvous(List.copyOf(peers), session);
    }

    /** The host of an executor address "host:port" as Spark's task infos give it. */
    static String hostOf(String executorAddress) {
        int colon = executorAddress.lastIndexOf(':');
        String host = colon < 0 ? executorAddress : executorAddress.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
