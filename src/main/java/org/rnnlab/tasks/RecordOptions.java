package org.rnnlab.tasks;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns a task's options record into command-line options and back, so that a task declares its
 * options once, as a documented and validated record. Component {@code learningRate} becomes
 * {@code --learning-rate}; booleans take {@code --name=true|false}; arrays take comma-separated
 * values; the record's own constructor validates what was typed; a component that is a record
 * itself (the shared {@link EpochTraining}) gives one option per component of its own. Each
 * option's text is its component's {@link Doc}; the {@link Doc#aliases() aliases} are accepted but
 * not shown.
 */
public final class RecordOptions {
    private RecordOptions() {
    }

    public static void addTo(CommandSpec spec, Record defaults) {
        for (RecordComponent component : defaults.getClass().getRecordComponents()) {
            if (component.getType().isRecord()) {
                addTo(spec, (Record) valueOf(component, defaults));
                continue;
            }
            Doc doc = component.getAnnotation(Doc.class);
            String defaultText = text(valueOf(component, defaults));
            String description = description(component);
            OptionSpec.Builder option = typed(OptionSpec.builder(optionName(component)), component.getType())
                    .description(description + (defaultText.isEmpty() ? "" : " (default: ${DEFAULT-VALUE})"))
                    .hidden(doc != null && doc.hidden());
            if (!(component.getType().isArray() && defaultText.isEmpty())) {
                option.defaultValue(defaultText); // an empty list has no text to parse: the record gets null
            }
            spec.addOption(option.build());
            for (String alias : doc == null ? new String[0] : doc.aliases()) {
                spec.addOption(typed(OptionSpec.builder(alias), component.getType()).hidden(true)
                        .description("the old name of " + optionName(component)).build());
            }
        }
    }

    /** The component's text on {@code --help}; empty without a {@link Doc} (the default is still shown). */
    static String description(RecordComponent component) {
        Doc doc = component.getAnnotation(Doc.class);
        return doc == null ? "" : doc.value();
    }

    private static OptionSpec.Builder typed(OptionSpec.Builder option, Class<?> type) {
        option.type(type);
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
        return option;
    }

    /** The record built from the parsed options; its constructor's checks become one-line errors. */
    public static <R extends Record> R read(CommandSpec spec, Class<R> type) {
        return read(spec, type, null);
    }

    /**
     * The same, with the options the user did not type taken from {@code base} (a preset) rather than
     * from the defaults the options were added with; null: from those defaults. A value typed under an
     * old name counts as typed, unless the new name was typed too.
     */
    public static <R extends Record> R read(CommandSpec spec, Class<R> type, R base) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            if (components[i].getType().isRecord()) {
                values[i] = readNested(spec, components[i].getType(),
                        base == null ? null : (Record) valueOf(components[i], base));
                continue;
            }
            OptionSpec option = spec.findOption(optionName(components[i]));
            OptionSpec typedAlias = typedAlias(spec, components[i]);
            if (!option.originalStringValues().isEmpty()) {
                values[i] = option.getValue();
            } else if (typedAlias != null) {
                values[i] = typedAlias.getValue();
            } else {
                values[i] = base == null ? option.getValue() : valueOf(components[i], base);
            }
        }
        return construct(type, values);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Record readNested(CommandSpec spec, Class<?> type, Record base) {
        return read(spec, (Class) type, base);
    }

    private static OptionSpec typedAlias(CommandSpec spec, RecordComponent component) {
        Doc doc = component.getAnnotation(Doc.class);
        for (String alias : doc == null ? new String[0] : doc.aliases()) {
            OptionSpec option = spec.findOption(alias);
            if (option != null && !option.originalStringValues().isEmpty()) {
                return option;
            }
        }
        return null;
    }

    /**
     * {@code record} with one component changed, validated by the record's constructor; the
     * component may sit in a nested record ({@code "epochs"} of an {@link EpochTraining}).
     */
    public static <R extends Record> R with(R record, String component, Object value) {
        R changed = withOrNull(record, component, value);
        if (changed == null) {
            throw new IllegalArgumentException(record.getClass().getName() + " has no component " + component);
        }
        return changed;
    }

    private static <R extends Record> R withOrNull(R record, String component, Object value) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        boolean found = false;
        for (int i = 0; i < components.length; i++) {
            values[i] = valueOf(components[i], record);
            if (components[i].getName().equals(component)) {
                values[i] = value;
                found = true;
            } else if (!found && components[i].getType().isRecord()) {
                Record nested = withOrNull((Record) values[i], component, value);
                found = nested != null;
                values[i] = found ? nested : values[i];
            }
        }
        if (!found) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) record.getClass();
        return construct(type, values);
    }

    private static <R extends Record> R construct(Class<R> type, Object[] values) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true); // records nested in test classes are not public
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

    public static String optionName(RecordComponent component) {
        return "--" + component.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Object valueOf(RecordComponent component, Record record) {
        try {
            var accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
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
