package org.rnnlab.nets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
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

    /**
     * The options with the components of a nested record gathered under its name: zips saved before
     * the epoch-trained tasks' shared options became one component ({@code training}) hold them flat.
     */
    static JsonNode nested(JsonNode options, Class<?> type) {
        if (!options.isObject() || !type.isRecord()) {
            return options;
        }
        ObjectNode copy = options.deepCopy();
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getType().isRecord() && !copy.has(component.getName())) {
                ObjectNode inner = copy.putObject(component.getName());
                for (RecordComponent part : component.getType().getRecordComponents()) {
                    JsonNode value = copy.remove(part.getName());
                    if (value != null) {
                        inner.set(part.getName(), value);
                    }
                }
            }
        }
        return copy;
    }

    public static ModelInfo of(String task, Record options) {
        return of(task, options, Json.MAPPER.createObjectNode());
    }

    public static ModelInfo of(String task, Record options, JsonNode extras) {
        return new ModelInfo(task, ModelStore.FORMAT_VERSION, Json.MAPPER.valueToTree(options), extras);
    }

    /** The options as the task's record type, validated by the record's own constructor. */
    public <O extends Record> O options(Class<O> type) {
        try {
            return Json.MAPPER.treeToValue(nested(options, type), type);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof BadInputException ? e.getCause() : e;
            String reason = cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
            throw new BadInputException("the model's stored options do not fit task " + task + ": " + reason, e);
        }
    }
}
