/**
 * The PNG charts (XChart, drawn off-screen): training curves, char-rnn's held-out curve, weight heat
 * maps, sine-wave predictions; and the HTML page of {@code all}'s results.
 */
package org.rnnlab.plots;
