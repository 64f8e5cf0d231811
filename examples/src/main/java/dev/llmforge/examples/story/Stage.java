package dev.llmforge.examples.story;

/** One step of the story with one job; its output lives under the run's {@link StoryLayout}. */
interface Stage {
    /** The stage's name: its directory and its row in the report. */
    String name();

    /** True when the output is complete, so a rerun reuses it. */
    boolean done(StoryRun run);

    /** Produces the output (continuing a partial one where the stage can). */
    void run(StoryRun run) throws Exception;
}
