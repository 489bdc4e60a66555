"""The demo assistant's chat: the docs assistant for ordinary questions, a naive model's
weaknesses for everything else.

Ordinary questions are answered by :class:`~drillhall.demo.model.DocsAssistantModel` from the
documentation (through the docs index upstream when the demo runs it). Everything an
instruction-following model would act on — injected instructions, jailbreak frames, requests
for its instructions, for the signed-in employee's record, for tool calls, images, HTML,
endless output or libraries — is answered the way the naive stand-in model of
:mod:`drillhall.testing.llm_models` answers it, behind the demo's own system prompt (with its
canary) and a fake employee record. So ``drillhall llm redteam`` finds real weaknesses in
every category of its catalogue, and ``drillhall demo`` shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drillhall.demo.model import ChatMessage, Completion, DocsAssistantModel, count_tokens
from drillhall.llm.types import Message, Role, ToolCall, ToolSpec
from drillhall.testing.llm_models import (
    HiddenContext,
    NaiveModel,
    benign_answer,
    default_user_record,
    read,
)

_ROLES: dict[str, Role] = {"system": "system", "user": "user", "assistant": "assistant",
                           "tool": "tool", "function": "tool"}


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    completion: Completion
    tool_calls: tuple[ToolCall, ...] = ()


class DemoAssistant:
    """See the module docstring."""

    def __init__(self, docs: DocsAssistantModel) -> None:
        self.docs = docs
        self.naive = NaiveModel()
        self.context = HiddenContext(system_prompt=docs.system_prompt,
                                     user_record=default_user_record())

    def respond(self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = (),
                max_tokens: int | None = None) -> ChatAnswer:
        """Answer a conversation (see the module docstring)."""
        conversation = [Message(_ROLES.get(m.role, "user"), m.content) for m in messages]
        reply = self.naive.respond(conversation, tools, max_tokens, context=self.context)
        reading = read([*self.context.messages(), *conversation])
        acted = reply.tool_calls or reply.text != benign_answer(reading.question)
        if not acted:
            return ChatAnswer(self.docs.complete(messages, max_tokens=max_tokens))
        prompt = sum(count_tokens(m.content) for m in [*self.context.messages(), *conversation])
        finish = reply.finish_reason or "stop"
        return ChatAnswer(Completion(reply.text, prompt, count_tokens(reply.text), finish),
                          reply.tool_calls)
