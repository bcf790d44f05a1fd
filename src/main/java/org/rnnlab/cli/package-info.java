/**
 * The {@code rnnlab} command (picocli): one class per subcommand. {@code train TASK} is the same
 * code a task class's own {@code main} runs ({@code tasks.TrainCommandLine}); bad input ends in
 * one line and exit code 2.
 */
package org.rnnlab.cli;
