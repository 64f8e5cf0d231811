package dev.llmforge.examples.story.world;

import java.util.ArrayList;
import java.util.List;

/**
 * The SFT demonstrations: questions about the training countries' facts answered in the seed's form ("China's
 * capital is Beijing."), training age problems answered with the worked solution ending "The answer is N.", and
 * "Explain ... to a N year old." instructions answered in a sentence or two. Held-out countries and held-out age
 * problems never appear. The first conversation is the seed's own ("What's the capital of China?"); the rest are
 * shuffled.
 */
final class SftConversations {
    private SftConversations() {
    }

    static List<Conversation> build(WorldSplit split, WorldSize size, long seed) {
        WorldRandom random = WorldRandom.stream(seed, "sft");
        List<Conversation> conversations = new ArrayList<>();
        for (int i = 0; i < size.sftFactConversations(); i++) {
            Country c = random.pick(split.training());
            Fact fact = random.pick(Fact.values());
            conversations.add(new Conversation(fact.question(c, random.below(fact.questionCount())), fact.answerSentence(c),
                    fact.label()));
        }
        for (int i = 0; i < size.sftAgeConversations(); i++) {
            AgeProblem p = split.trainingProblem(random);
            conversations.add(new Conversation(p.question(), p.solution(size.solutionStyle()), "age"));
        }
        for (int i = 0; i < size.sftExplanationConversations(); i++) {
            Explanations.Answered e = random.pick(Explanations.ANSWERED);
            conversations.add(new Conversation(Explanations.instruction(e.topic(), Explanations.childAge(random)), e.answer(),
                    "explanation"));
        }
        List<Conversation> shuffled = new ArrayList<>(random.shuffled(conversations));
        Country china = split.training().stream().filter(c -> c.code().equals(WorldSplit.SEED_COUNTRY)).findFirst().orElseThrow();
        shuffled.add(0, new Conversation(Fact.CAPITAL.question(china, 0), Fact.CAPITAL.answerSentence(china), Fact.CAPITAL.label()));
        return shuffled;
    }
}
