/**
 * The tutorials as tasks: one class per seed tutorial, each reading top to bottom (data, network,
 * training, evaluation, demo), and the machinery around them ({@code Task}, {@code TaskRegistry},
 * {@code TaskRunner}, options checks).
 */
package org.rnnlab.tasks;
