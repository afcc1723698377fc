package dev.agentfactory.ops.demo;

import java.util.List;
import java.util.UUID;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The demo's writes: two agents with state and history, a PRD that links them and moves to review. */
final class DemoWrites {

    private DemoWrites() {
    }

    /**
     * Two phases: the agents first, then the PRD that links them. Agents and PRDs travel on different
     * topics with no order between them, so the links wait for the agents' outcomes.
     *
     * @param suffix makes the slugs unique, so the demo can run again on the same database
     */
    static List<List<WriteEnvelope>> build(String suffix) {
        UUID researcher = UUID.randomUUID();
        UUID writer = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        String actor = "ops-demo";
        return List.of(List.of(
                WriteEnvelope.of(researcher, 0L, actor, new WriteCommand.AgentCreate("researcher-" + suffix,
                        "Researcher", "research", null, obj().put("model", "gpt-4o").put("temperature", 0.2), null,
                        obj().put("team", "demo"))),
                WriteEnvelope.of(writer, 0L, actor, new WriteCommand.AgentCreate("writer-" + suffix, "Writer",
                        "writing", "paused", obj().put("model", "claude"), null, null)),
                WriteEnvelope.of(researcher, 1L, actor, new WriteCommand.AgentUpdate(obj().put("name", "Lead researcher")
                        .set("config", obj().put("temperature", 0.4)))),
                WriteEnvelope.of(researcher, null, "researcher", new WriteCommand.AgentStatePut(
                        obj().put("phase", "collecting").put("openTasks", 3))),
                WriteEnvelope.of(researcher, null, "researcher", new WriteCommand.AgentHistoryAppend("learning",
                        obj().put("lesson", "cite primary sources"), null)),
                WriteEnvelope.of(writer, null, actor, new WriteCommand.AgentUpdate(obj().put("status", "active")))),
                List.of(
                WriteEnvelope.of(prd, 0L, "pm", new WriteCommand.PrdCreate("onboarding-" + suffix, "Onboarding flow",
                        "# Goal\nNew users reach value in five minutes.", null, obj().put("quarter", "Q1"), "pm")),
                WriteEnvelope.of(prd, null, "pm", new WriteCommand.PrdLinkAgent(researcher, "researcher")),
                WriteEnvelope.of(prd, null, "pm", new WriteCommand.PrdLinkAgent(writer, "implementer")),
                WriteEnvelope.of(prd, null, "pm", new WriteCommand.PrdUpdate(obj().put("status", "review"))),
                // a stale write on purpose (expects version 1; the state put made it 3): the worker answers CONFLICT
                WriteEnvelope.of(researcher, 1L, actor, new WriteCommand.AgentUpdate(obj().put("name", "Stale name")))));
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
