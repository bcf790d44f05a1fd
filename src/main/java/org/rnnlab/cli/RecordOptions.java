package org.rnnlab.cli;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rnnlab.tasks.Doc;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns a task's options record into command-line options and back, so that a task declares its
 * options once, as a documented and validated record. Component {@code learningRate} becomes
 * {@code --learning-rate}; booleans take {@code --name=true|false}; arrays take comma-separated
 * values; the record's own constructor validates what was typed.
 */
final class RecordOptions {
    private RecordOptions() {
    }

    static void addTo(CommandSpec spec, Record defaults) {
        for (RecordComponent component : defaults.getClass().getRecordComponents()) {
            Object value = valueOf(component, defaults);
            Doc doc = component.getAnnotation(Doc.class);
            Class<?> type = component.getType();
            String defaultText = text(value);
            OptionSpec.Builder option = OptionSpec.builder(optionName(component))
                    .type(type)
                    .description((doc == null ? "" : doc.value())
                            + (defaultText.isEmpty() ? "" : " (default: ${DEFAULT-VALUE})"))
                    .defaultValue(defaultText);
            if (type == boolean.class) {
                // An explicit value (--hidden-bias=false) rather than picocli's negatable flags, whose
                // meaning flips with the default and so reads wrongly for options that default to true.
                option.arity("1").paramLabel("true|false");
            } else if (type.isArray()) {
                option.splitRegex(",").paramLabel("N"); // picocli shows N[,N...]
            } else if (type.isEnum()) {
                option.paramLabel(enumLabel(type));
            } else if (type == String.class) {
                option.paramLabel("FILE"); // the options records' texts are all paths (corpus, model to resume)
            } else {
                option.paramLabel(type == double.class ? "X" : "N");
            }
            spec.addOption(option.build());
        }
    }

    /** The record built from the parsed options; its constructor's checks become one-line errors. */
    static <R extends Record> R read(CommandSpec spec, Class<R> type) {
        return read(spec, type, null);
    }

    /**
     * The same, with the options the user did not type taken from {@code base} (a preset) rather than
     * from the defaults the options were added with; null: from those defaults.
     */
    static <R extends Record> R read(CommandSpec spec, Class<R> type, R base) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            OptionSpec option = spec.findOption(optionName(components[i]));
            boolean typed = !option.originalStringValues().isEmpty();
            values[i] = base == null || typed ? option.getValue() : valueOf(components[i], base);
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    static String optionName(RecordComponent component) {
        return "--" + component.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Object valueOf(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        if (value != null && value.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(String.valueOf(Array.get(value, i)));
            }
            return String.join(",", items);
        }
        return String.valueOf(value);
    }

    private static String enumLabel(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            names.add(constant.toString());
        }
        return String.join("|", names);
    }
}
