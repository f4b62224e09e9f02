"""The llm extractor and teacher: positions read by a model behind any OpenAI-compatible
``/v1/chat/completions`` endpoint (Ollama, vLLM, llama.cpp's server, a hosted API), with every
quote anchored to the article and every label checked against the taxonomy in use.

Modules: :mod:`.prompt` (rules and taxonomy -> messages, schema, prompt version), :mod:`.client`
(HTTP, request forms, retries), :mod:`.answer` (parse and verify), :mod:`.anchor` (quotes ->
sentence offsets), :mod:`.cache` (answers by text, model, prompt and taxonomy), :mod:`.extractor`
(parts, concurrency, outcomes, usage). See docs/extraction.md.
"""
from __future__ import annotations

from .extractor import CODE_VERSION, LLMExtractor, Usage

__all__ = ["LLMExtractor", "Usage", "CODE_VERSION"]
