package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

/**
 * Several responses to one prompt ranked by a labeler (InstructGPT: K = 4 to 9 per prompt):
 * {@code {"prompt": "...", "responses": ["...", ...], "ranking": [2, 1, 3]}}. {@code ranking[i]} is the rank of
 * {@code responses[i]}: 1 is the best, larger is worse, equal ranks are ties. The record becomes every pair of
 * responses with different ranks, the better one chosen: K(K−1)/2 pairs without ties, in order of the chosen
 * response's rank, then of the rejected one's (ties by position). The prompt and each response may be a string
 * (a user message, an assistant message) or a list of messages.
 */
final class RankedList {
    private RankedList() {
    }

    static PreferenceGroup parse(ObjectNode record, RecordLocation location) {
        List<ChatMessage> prompt = JsonRecords.turns(record, "prompt", ChatMessage.USER);
        JsonNode responses = record.get("responses");
        if (responses == null || !responses.isArray() || responses.size() < 2) {
            throw new InvalidRecordException("expected field \"responses\" to be a list of at least two responses, "
                    + "found " + JsonRecords.describe(responses));
        }
        int[] ranks = ranks(record, responses.size());
        List<List<ChatMessage>> answers = new ArrayList<>(responses.size());
        for (int i = 0; i < responses.size(); i++) {
            answers.add(JsonRecords.turns(responses.get(i), "response " + i, ChatMessage.ASSISTANT));
        }
        List<Integer> order = IntStream.range(0, ranks.length).boxed()
                .sorted(Comparator.comparingInt(i -> ranks[i])).toList();
        List<PreferencePair> pairs = new ArrayList<>();
        for (int a = 0; a < order.size(); a++) {
            for (int b = a + 1; b < order.size(); b++) {
                int better = order.get(a);
                int worse = order.get(b);
                if (ranks[better] == ranks[worse]) {
                    continue;
                }
                if (answers.get(better).equals(answers.get(worse))) {
                    throw new InvalidRecordException("expected different responses, found responses " + better
                            + " and " + worse + " the same but ranked " + ranks[better] + " and " + ranks[worse]);
                }
                pairs.add(InvalidRecordException.check(() -> new PreferencePair(answers.get(better),
                        answers.get(worse), OptionalDouble.empty())));
            }
        }
        if (pairs.isEmpty()) {
            throw new InvalidRecordException("expected responses of different ranks, found every response ranked "
                    + ranks[0] + ": there is no preference to learn");
        }
        return InvalidRecordException.check(() -> new PreferenceGroup(prompt, pairs, location));
    }

    private static int[] ranks(ObjectNode record, int responses) {
        JsonNode ranking = record.get("ranking");
        if (ranking == null || !ranking.isArray() || ranking.size() != responses) {
            throw new InvalidRecordException("expected field \"ranking\" to be a list of " + responses
                    + " ranks, one per response (1 = best), found " + JsonRecords.describe(ranking));
        }
        int[] ranks = new int[responses];
        for (int i = 0; i < responses; i++) {
            JsonNode rank = ranking.get(i);
            if (!rank.isIntegralNumber() || rank.asLong() < 1 || rank.asLong() > Integer.MAX_VALUE) {
                throw new InvalidRecordException("expected \"ranking\"[" + i + "] to be the rank of response " + i
                        + " (a whole number from 1 = best), found " + JsonRecords.describe(rank));
            }
            ranks[i] = rank.intValue();
        }
        return ranks;
    }
}
