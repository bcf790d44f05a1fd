package org.rnnlab.tasks;

/**
 * An {@code --input} a task's {@code predict} accepts, for {@code rnnlab predict --help} and the
 * tests that run every example.
 *
 * @param input   the text itself, as it is passed to predict
 * @param shown   how --help writes it (the input, quoted where a shell needs it, or shortened)
 * @param meaning what the input is and what the answer says
 */
public record PredictExample(String input, String shown, String meaning) {
    /** An example --help shows as it is. */
    public PredictExample(String input, String meaning) {
        this(input, input.contains(";") || input.contains(" ") ? "\"" + input + "\"" : input, meaning);
    }
}
