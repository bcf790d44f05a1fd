package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * README.md's command lines: every command and option they name exists (a task placeholder stands
 * for every task), the task class they run has a main, and the concrete examples answer as the
 * README and docs/tasks.md say.
 */
class ReadmeCommandsTest {
    private static final Path README = Path.of("README.md");
    private static final Pattern OPTION = Pattern.compile("(--[a-z][a-z0-9-]*)");

    /** The README's code lines that start a command, one per line, comments cut off. */
    static List<String> commandLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("    ")) {
                for (String part : line.strip().split("&&")) {
                    String command = part.replaceFirst("\\s+#.*$", "").strip();
                    if (command.startsWith("./rnnlab ") || command.startsWith("java -cp ")) {
                        lines.add(command);
                    }
                }
            }
        }
        return lines;
    }

    @Test
    void everyCommandAndOptionTheReadmeNamesExists() throws Exception {
        CommandLine rnnlab = RnnlabCommand.commandLine(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false);
        List<String> lines = commandLines();
        assertTrue(lines.size() >= 10, "README's command lines: " + lines);
        List<String> problems = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("java -cp ")) {
                String className = line.split("\\s+")[3];
                Class.forName(className).getMethod("main", String[].class); // a task class with its own main
                continue;
            }
            String[] words = line.substring("./rnnlab ".length()).split("\\s+");
            CommandLine command = rnnlab.getSubcommands().get(words[0]);
            if (command == null) {
                problems.add(line + ": no command " + words[0]);
                continue;
            }
            Set<String> known = new LinkedHashSet<>(command.getCommandSpec().optionsMap().keySet());
            known.addAll(rnnlab.getCommandSpec().optionsMap().keySet());
            if (words[0].equals("train")) { // TASK: the options of the tasks
                for (CommandLine task : command.getSubcommands().values()) {
                    known.addAll(task.getCommandSpec().optionsMap().keySet());
                }
            }
            Matcher option = OPTION.matcher(line);
            while (option.find()) {
                if (!known.contains(option.group(1))) {
                    problems.add(line + ": " + words[0] + " has no " + option.group(1));
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theSynopsisOptionsOfTrainWorkForEveryTask() {
        CommandLine rnnlab = RnnlabCommand.commandLine(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false);
        for (CommandLine task : rnnlab.getSubcommands().get("train").getSubcommands().values()) {
            CommandSpec spec = task.getCommandSpec();
            for (String option : List.of("--seed", "--out", "--help")) {
                assertTrue(spec.optionsMap().containsKey(option), spec.name() + " takes " + option);
            }
        }
    }

    @Test
    void theExamplesAnswerAsTheDocsSay(@TempDir Path dir) throws IOException {
        // docs/tasks.md: ./rnnlab predict binary-addition --input 47,35 answers "47 + 35: ... = 82"
        Path model = dir.resolve("binary-addition");
        CommandLineRun trained = CommandLineRun.run("--no-progress", "--data-dir", dir.resolve("data").toString(),
                "train", "binary-addition", "--no-plots", "--out", model.toString());
        assertEquals(0, trained.code(), trained.err());
        String documented = Files.readAllLines(Path.of("docs", "tasks.md")).stream()
                .filter(l -> l.startsWith("`47 + 35:")).findFirst().orElseThrow().replace("`", "").strip().replaceAll("\\.$", "");
        CommandLineRun answer = CommandLineRun.run("predict", "binary-addition", "--model",
                model.resolve("model.zip").toString(), "--input", "47,35");
        assertEquals(documented + "\n", answer.out().replace("\r", ""));

        // README: ./rnnlab predict binary-sum --input 1,0,1,1,0,1,0 (a sum of 4)
        Path sum = dir.resolve("binary-sum");
        CommandLineRun sumTrained = CommandLineRun.run("--no-progress", "--data-dir", dir.resolve("data").toString(),
                "train", "binary-sum", "--no-plots", "--out", sum.toString());
        assertEquals(0, sumTrained.code(), sumTrained.err());
        CommandLineRun four = CommandLineRun.run("predict", "binary-sum", "--model", sum.resolve("model.zip").toString(),
                "--input", "1,0,1,1,0,1,0");
        assertTrue(four.out().contains("(rounded 4)"), four.out());
    }
}
