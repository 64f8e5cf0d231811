package dev.llmforge.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RendezvousTest {
    @Test
    void messagesInRankOrderGiveThePeersAndRankZerosSession() {
        String[] messages = {Rendezvous.message(new Peer(0, "10.0.0.5", 41000), -77), Rendezvous.message(new Peer(1, "10.0.0.6", 42000), 0)};
        Rendezvous r = Rendezvous.parse(messages);
        assertEquals(List.of(new Peer(0, "10.0.0.5", 41000), new Peer(1, "10.0.0.6", 42000)), r.peers());
        assertEquals(-77, r.session());
        assertEquals("rank 1 at 10.0.0.6:42000", r.peers().get(1).toString());
    }

    @Test
    void aMalformedMessageIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Rendezvous.parse(new String[] {"0 h 1 5", "0 h 2 0"}));
        assertEquals("rendezvous message 1 is \"0 h 2 0\", expected \"1 host port session\" (replicas of different llmforge versions?)", e.getMessage());
    }

    @Test
    void theHostOfAnExecutorAddress() {
        assertEquals("10.1.2.3", Rendezvous.hostOf("10.1.2.3:7077"));
        assertEquals("worker-3.example", Rendezvous.hostOf("worker-3.example:35001"));
        assertEquals("::1", Rendezvous.hostOf("[::1]:35001"));
    }

    @Test
    void localMastersAreCheckedForEnoughSlots() {
        DataParallelJob.checkSlots("local[4]", 4);
        DataParallelJob.checkSlots("local[2,3]", 2);
        DataParallelJob.checkSlots("local-cluster[2,2,1024]", 4);
        DataParallelJob.checkSlots("spark://master:7077", 64); // Spark checks a cluster itself
        assertThrows(IllegalArgumentException.class, () -> DataParallelJob.checkSlots("local", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataParallelJob.checkSlots("local-cluster[2,1,1024]", 3));
        assertEquals("--replicas 3 needs 3 tasks running at once (one barrier stage), but master local-cluster[2,1,1024] runs 2 at a time:"
                + " use local[3] or more, or fewer replicas", e.getMessage());
    }
}
