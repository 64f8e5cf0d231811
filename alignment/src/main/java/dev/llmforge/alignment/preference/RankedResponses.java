package dev.llmforge.alignment.preference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.io.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several responses to one prompt with the labeler's ranking, a line of a ranked-list file (InstructGPT's K
 * ranked answers per prompt): {@code {"prompt", "responses": [...], "ranking": [...], "features": [...]}} where
 * {@code ranking[i]} is the rank of {@code responses[i]} — 1 is best, equal ranks are ties (no preference), as
 * {@link dev.llmforge.alignment.data.PreferenceReader} reads it — and {@code features[i]} says why ({@code correct}, {@code answers}, {@code ends_cleanly}, {@code length}).
 *
 * @param prompt    the question
 * @param responses the responses, in sampling order
 * @param features  each response's features
 * @param ranks     each response's dense rank, 0 = best
 */
public record RankedResponses(String prompt, List<Sample> responses, List<ResponseFeatures> features, int[] ranks) {
    public RankedResponses {
        responses = List.copyOf(responses);
        features = List.copyOf(features);
        ranks = ranks.clone();
        if (features.size() != responses.size() || ranks.length != responses.size()) {
            throw new IllegalArgumentException("one feature set and one rank per response are needed, found "
                    + responses.size() + " responses, " + features.size() + " feature sets and " + ranks.length + " ranks");
        }
    }

    /**
     * Every preference these rankings imply: one pair per two responses of different rank (ties give none), the
     * better one chosen; pairs in index order of the two responses.
     */
    public List<LabeledPair> pairs() {
        List<LabeledPair> pairs = new ArrayList<>();
        for (int i = 0; i < ranks.length; i++) {
            for (int j = i + 1; j < ranks.length; j++) {
                if (ranks[i] == ranks[j]) {
                    continue;
                }
                int better = ranks[i] < ranks[j] ? i : j;
                int worse = better == i ? j : i;
                pairs.add(new LabeledPair(prompt, responses.get(better).text(), responses.get(worse).text(),
                        features.get(better).differenceFrom(features.get(worse))));
            }
        }
        return pairs;
    }

    public ObjectNode toJson() {
        ObjectNode json = JsonLines.object();
        json.put("prompt", prompt);
        ArrayNode texts = json.putArray("responses");
        responses.forEach(r -> texts.add(r.text()));
        ArrayNode ranking = json.putArray("ranking");
        for (int rank : ranks) {
            ranking.add(rank + 1); // on disk 1 = best
        }
        ArrayNode why = json.putArray("features");
        for (ResponseFeatures f : features) {
            ObjectNode o = why.addObject();
            o.put("correct", f.correct());
            o.put("answers", f.answers());
            o.put("ends_cleanly", f.endsCleanly());
            o.put("length", f.length());
        }
        return json;
    }

    /** Writes {@code lists} as a ranked-list file, atomically. */
    public static void write(Path file, List<RankedResponses> lists) throws IOException {
        JsonLines.write(file, lists.stream().map(RankedResponses::toJson).toList());
    }
}
