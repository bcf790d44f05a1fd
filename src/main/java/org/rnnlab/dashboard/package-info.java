/**
 * DL4J's training UI for {@code train --ui}, served on the loopback interface only.
 */
package org.rnnlab.dashboard;
