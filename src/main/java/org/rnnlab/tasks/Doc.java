package org.rnnlab.tasks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one component of a task's options record. The command line turns each component
 * into an option ({@code learningRate} becomes {@code --learning-rate}) and shows this text,
 * followed by the default, in {@code rnnlab train TASK --help}. The options the epoch-trained tasks
 * share are documented once, in {@link EpochTraining}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Doc {
    /** What the option means; the help adds the default. */
    String value();

    /** Older names of the option, still accepted but not shown ({@code --batch} for {@code --batch-size}). */
    String[] aliases() default {};

    /** Accepted but left out of the help: an option kept only so that old command lines still work. */
    boolean hidden() default false;
}
