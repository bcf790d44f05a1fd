/**
 * rnnlab: the classic recurrent-network tutorials as runnable, verified Deeplearning4j tasks.
 * {@code org.rnnlab.cli.Main} is the command line; README.md maps the packages.
 */
package org.rnnlab;
