package org.jxenstore.it.peers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test (visibly, with a reason) when the configured target is a reference peer (the C
 * or OCaml xenstored given with {@code -Djxs.it.socket}): for tests that are known to crash or wipe
 * the reference daemons, such as xsprobe.py's {@code --unsafe} probes. Against jxenstored (the
 * default target) they always run.
 */
public final class NotAgainstReferencePeer implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (TargetDaemon.configuredIsReference()) {
            return ConditionEvaluationResult.disabled("the target " + TargetDaemon.externalSocket()
                    + " is a reference peer (kind " + TargetDaemon.configuredKind()
                    + "); this test would crash or wipe it, so it runs against jxenstored only");
        }
        return ConditionEvaluationResult.enabled("target kind " + TargetDaemon.configuredKind());
    }
}
