package dev.llmforge.examples.story;

import dev.llmforge.examples.story.world.StoryWorld;
import java.nio.file.Files;
import java.util.Locale;

/** Generates the world's files ({@link StoryWorld}) into {@code world/}. */
final class WorldStage implements Stage {
    static final String NAME = "world";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean done(StoryRun run) {
        return Files.isRegularFile(run.layout().worldFile(StoryWorld.MANIFEST)) && Files.isRegularFile(run.layout().rlPrompts())
                && Files.isRegularFile(run.layout().worldFile(StoryWorld.EVAL_RECALL));
    }

    @Override
    public void run(StoryRun run) throws Exception {
        StoryWorld.Summary s = StoryWorld.generate(run.plan().world(), run.seed(), run.layout().world());
        run.note(String.format(Locale.ROOT, "world: %,d documents (%,d characters), %,d conversations, %d held-out fact questions, %d age problems",
                s.documents(), s.pretrainCharacters(), s.conversations(), s.evalFacts(), s.evalAges()));
    }
}
