package dev.llmforge.examples.story.world;

import java.util.List;
import java.util.Locale;

/**
 * "Explain X to a 6 year old." — the seed's example of an instruction a base model meets with more instructions
 * and an assistant answers. The world cannot check such answers, only that they are answers, so there are few:
 * a handful of topics with a short answer written for SFT, and more topics that only appear as worksheet
 * instructions (the moon landing among them, kept out of SFT so that the report's side-by-side prompt is new to
 * every model).
 */
final class Explanations {
    /** A topic and the answer an SFT demonstrator wrote for it. */
    record Answered(String topic, String answer) {
    }

    static final List<Answered> ANSWERED = List.of(
            new Answered("gravity", "Gravity is a pull that makes things fall down. It keeps your feet on the ground."),
            new Answered("rain", "The sun warms water in the sea and it goes up into the sky. It makes clouds, and the "
                    + "clouds drop it back down as rain."),
            new Answered("the sun", "The sun is a very big star. It is so hot and bright that it lights and warms the Earth."),
            new Answered("a map", "A map is a drawing of a place as a bird would see it. It shows where things are."),
            new Answered("what a capital is", "A capital is the city where the leaders of a country work. Every country has one."),
            new Answered("money", "Money is what people give to get the things they need. Each country has its own money."),
            new Answered("the seasons", "The Earth is tilted as it goes around the sun. When our side leans toward the sun it "
                    + "is summer, and when it leans away it is winter."),
            new Answered("birthdays", "A birthday is the day you were born. Every year on that day you are one year older."),
            new Answered("the moon", "The moon is a big round rock that goes around the Earth. It shines because the sun "
                    + "lights it up."));

    /** Topics that appear only as worksheet instructions. */
    static final List<String> UNANSWERED = List.of("the moon landing", "the theory of relativity", "photosynthesis",
            "the internet", "volcanoes", "electricity", "the ocean tides", "how planes fly");

    private Explanations() {
    }

    /** "Explain gravity to a 6 year old." */
    static String instruction(String topic, int childAge) {
        return String.format(Locale.ROOT, "Explain %s to a %d year old.", topic, childAge);
    }

    /** A child's age for an instruction: 6 (the seed's) half of the time, else 4 to 9. */
    static int childAge(WorldRandom random) {
        return random.chance(0.5) ? 6 : random.between(4, 9);
    }
}
