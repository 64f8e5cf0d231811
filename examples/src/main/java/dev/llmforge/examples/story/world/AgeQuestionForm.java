package dev.llmforge.examples.story.world;

import java.util.Locale;

/**
 * The sentence forms an age question is written in. {@link #SEED} is the seed problem's form, word for word:
 * "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?"; the others say the same in other
 * words, so that a model meets more than one wording.
 */
public enum AgeQuestionForm {
    SEED("When I was %1$d my %2$s was %3$s. Now I'm %4$d how old is my %2$s?"),
    PUNCTUATED("When I was %1$d, my %2$s was %3$s. Now I'm %4$d. How old is my %2$s?"),
    YEARS_OLD("When I was %1$d years old, my %2$s was %3$s. I am %4$d now. How old is my %2$s?"),
    REVERSED("My %2$s was %3$s when I was %1$d. Now I'm %4$d. How old is my %2$s now?");

    private final String template;

    AgeQuestionForm(String template) {
        this.template = template;
    }

    String render(int thenAge, String relative, String relation, int nowAge) {
        return String.format(Locale.ROOT, template, thenAge, relative, relation, nowAge);
    }
}
