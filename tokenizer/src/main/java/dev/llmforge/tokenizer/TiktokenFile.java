package dev.llmforge.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reader of tiktoken rank files: one {@code <base64 token bytes> <rank>} per line. */
final class TiktokenFile {
    /** Ranks above this are refused rather than allocated for. */
    static final int MAX_RANK = 1 << 24;

    private TiktokenFile() {
    }

    /**
     * Token bytes indexed by rank (null where a rank is not used).
     *
     * @throws TokenizerFormatException naming the source and line of the first malformed line
     */
    static byte[][] read(InputStream in, String source) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<byte[]> tokens = new ArrayList<>();
        List<Integer> lineOfRank = new ArrayList<>();
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space != line.lastIndexOf(' ') || space == line.length() - 1) {
                throw error(source, lineNumber, "expected \"<base64 token> <rank>\"", line);
            }
            byte[] token;
            try {
                token = Base64.getDecoder().decode(line.substring(0, space));
            } catch (IllegalArgumentException e) {
                throw error(source, lineNumber, "a base64 token before the space", line);
            }
            int rank;
            try {
                rank = Integer.parseInt(line.substring(space + 1));
            } catch (NumberFormatException e) {
                throw error(source, lineNumber, "an integer rank after the space", line);
            }
            if (rank < 0 || rank > MAX_RANK || token.length == 0) {
                throw error(source, lineNumber, "a non-empty token and a rank from 0 to " + MAX_RANK, line);
            }
            while (tokens.size() <= rank) {
                tokens.add(null);
                lineOfRank.add(0);
            }
            if (tokens.get(rank) != null) {
                throw new TokenizerFormatException(String.format("%s line %d: rank %d was already given on line %d",
                        source, lineNumber, rank, lineOfRank.get(rank)));
            }
            tokens.set(rank, token);
            lineOfRank.set(rank, lineNumber);
        }
        if (tokens.isEmpty()) {
            throw new TokenizerFormatException(source + ": expected lines of \"<base64 token> <rank>\", found none");
        }
        return tokens.toArray(new byte[0][]);
    }

    private static TokenizerFormatException error(String source, int line, String expected, String found) {
        String shown = found.length() > 80 ? found.substring(0, 80) + "..." : found;
        return new TokenizerFormatException(String.format("%s line %d: expected %s, found \"%s\"",
                source, line, expected, shown));
    }
}
