/**
 * The command line (picocli): {@code rnnlab} and one class per subcommand. Each task's options
 * record becomes its {@code train} options here ({@code RecordOptions}); bad input ends in one line
 * and exit code 2.
 */
package org.rnnlab.cli;
