package org.rnnlab.tasks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one component of a task's options record. The command line turns each component
 * into an option ({@code learningRate} becomes {@code --learning-rate}) and shows this text,
 * followed by the default, in {@code rnnlab train TASK --help}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Doc {
    String value();
}
