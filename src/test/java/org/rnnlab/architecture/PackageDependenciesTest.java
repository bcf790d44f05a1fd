package org.rnnlab.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One direction of dependencies: cli -> bench -> tasks -> (nets, data, report, plots, layers,
 * summary, reference, inference, dashboard); nothing imports a package above it.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src", "main", "java", "org", "rnnlab");
    /** The packages each package may not use: those above it. */
    private static final Map<String, Set<String>> ABOVE = Map.of(
            "cli", Set.of(),
            "bench", Set.of("cli"),
            "tasks", Set.of("cli", "bench"));
    private static final Set<String> TOP = Set.of("cli", "bench", "tasks");
    /** An import, or a qualified name in code (a class name in a string, which starts a child JVM, does not count). */
    private static final Pattern USE = Pattern.compile("^import (?:static )?org\\.rnnlab\\.(\\w+)\\.|[^\"\\w.]org\\.rnnlab\\.(\\w+)\\.\\w+[.(]",
            Pattern.MULTILINE);

    @Test
    void nothingUsesAPackageAboveIt() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file).getNameCount() > 1
                        ? SOURCES.relativize(file).getName(0).toString() : "";
                Set<String> forbidden = ABOVE.getOrDefault(from, TOP);
                for (String used : uses(Files.readString(file))) {
                    if (!used.equals(from) && forbidden.contains(used)) {
                        violations.add(SOURCES.relativize(file) + " uses org.rnnlab." + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckSeesImportsAndQualifiedNamesButNotCommentsOrStrings() {
        String source = "import org.rnnlab.tasks.Task;\nimport static org.rnnlab.cli.Main.main;\n"
                + "/** see org.rnnlab.bench.X */ class A { Object o = org.rnnlab.data.Json.MAPPER; "
                + "String s = \"org.rnnlab.report.Y\"; } // org.rnnlab.plots.Z";
        assertEquals(Set.of("tasks", "cli", "data"), uses(source));
    }

    /** The rnnlab packages a source file uses: by import, or by a qualified name in its code. */
    static Set<String> uses(String source) {
        Set<String> used = new java.util.TreeSet<>();
        Matcher use = USE.matcher(withoutComments(source));
        while (use.find()) {
            used.add(use.group(1) != null ? use.group(1) : use.group(2));
        }
        return used;
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
