package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Anthropic HH-RLHF dialogues (anthropics/hh-rlhf): {@code "\n\nHuman: ...\n\nAssistant: ..."}, turns that
 * alternate, each marker followed by a space and the turn's text. A turn's text is what follows its marker up to
 * the next marker, without that one space, so that {@code ChatTemplate.humanAssistant()} writes the dialogue back
 * as it was (plus the end-of-turn token after each assistant turn). "Human:" inside a turn, without the blank
 * line before it, is text. Malformed dialogues — text before the first marker, two turns of one role in a row, an
 * empty turn — are refused with the reason.
 */
final class HhDialogue {
    static final String HUMAN = "\n\nHuman:";
    static final String ASSISTANT = "\n\nAssistant:";

    private HhDialogue() {
    }

    /** A whole dialogue, which starts with a Human turn. */
    static List<ChatMessage> parse(String dialogue) {
        if (!dialogue.startsWith(HUMAN)) {
            throw new InvalidRecordException("expected the dialogue to start with \"\\n\\nHuman:\", found "
                    + JsonRecords.quote(dialogue));
        }
        return turns(dialogue);
    }

    /**
     * A preference pair of two whole dialogues: the prompt is what both share up to the last
     * {@code "\n\nAssistant:"} inside their common beginning, and the two responses are the rest of each.
     */
    static PreferenceGroup splitPair(String chosen, String rejected, OptionalDouble margin,
                                     RecordLocation location) {
        if (chosen.equals(rejected)) {
            throw new InvalidRecordException("expected chosen and rejected to differ, found the same dialogue twice");
        }
        int common = 0;
        while (common < Math.min(chosen.length(), rejected.length())
                && chosen.charAt(common) == rejected.charAt(common)) {
            common++;
        }
        int split = chosen.lastIndexOf(ASSISTANT, common - ASSISTANT.length());
        if (split < 0) {
            throw new InvalidRecordException("expected chosen and rejected to share a prompt ending with "
                    + "\"\\n\\nAssistant:\", found that they differ from character " + common + " on, before any "
                    + "shared \"\\n\\nAssistant:\"");
        }
        List<ChatMessage> prompt = parse(chosen.substring(0, split));
        List<ChatMessage> chosenTurns = turns(chosen.substring(split));
        List<ChatMessage> rejectedTurns = turns(rejected.substring(split));
        return InvalidRecordException.check(() -> new PreferenceGroup(prompt,
                List.of(new PreferencePair(chosenTurns, rejectedTurns, margin)), location));
    }

    /** The turns of text that starts with a marker. */
    private static List<ChatMessage> turns(String text) {
        List<ChatMessage> turns = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            boolean human = text.startsWith(HUMAN, at);
            int contentStart = at + (human ? HUMAN : ASSISTANT).length();
            int end = nextMarker(text, contentStart);
            String content = text.substring(contentStart, end);
            content = content.startsWith(" ") ? content.substring(1) : content;
            String role = human ? ChatMessage.USER : ChatMessage.ASSISTANT;
            String name = human ? "Human" : "Assistant";
            if (content.isBlank()) {
                throw new InvalidRecordException("expected every turn to have text, found an empty " + name
                        + " turn (turn " + (turns.size() + 1) + ")");
            }
            if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals(role)) {
                throw new InvalidRecordException("expected Human and Assistant turns to alternate, found two " + name
                        + " turns in a row (turns " + turns.size() + " and " + (turns.size() + 1) + ")");
            }
            turns.add(new ChatMessage(role, content));
            at = end;
        }
        return turns;
    }

    private static int nextMarker(String text, int from) {
        int human = text.indexOf(HUMAN, from);
        int assistant = text.indexOf(ASSISTANT, from);
        if (human < 0) {
            return assistant < 0 ? text.length() : assistant;
        }
        return assistant < 0 ? human : Math.min(human, assistant);
    }
}
