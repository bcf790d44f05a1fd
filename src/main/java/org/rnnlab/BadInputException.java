package org.rnnlab;

/**
 * Something the user gave rnnlab (an option, a file, a model, an input string) cannot be used.
 * The command line prints the message as one line and exits with code 2, so the message must
 * say what was wrong and, where possible, what would be accepted.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
