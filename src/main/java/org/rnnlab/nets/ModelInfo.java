package org.rnnlab.nets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;

/**
 * The {@code rnnlab.json} entry of a model zip: which task the network belongs to and everything
 * needed to use it again without the data it was trained on.
 *
 * @param task          the task name, e.g. {@code binary-sum}
 * @param formatVersion the version of this entry's layout; newer files are refused by older rnnlab
 * @param options       the task's options record as JSON (hyperparameters and seed)
 * @param extras        task-specific state needed to predict (for example a vocabulary); an empty object if none
 */
public record ModelInfo(String task, int formatVersion, JsonNode options, JsonNode extras) {

    public static ModelInfo of(String task, Record options) {
        return of(task, options, Json.MAPPER.createObjectNode());
    }

    public static ModelInfo of(String task, Record options, JsonNode extras) {
        return new ModelInfo(task, ModelStore.FORMAT_VERSION, Json.MAPPER.valueToTree(options), extras);
    }

    /** The options as the task's record type, validated by the record's own constructor. */
    public <O extends Record> O options(Class<O> type) {
        try {
            return Json.MAPPER.treeToValue(options, type);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof BadInputException ? e.getCause() : e;
            String reason = cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
            throw new BadInputException("the model's stored options do not fit task " + task + ": " + reason, e);
        }
    }
}
