"""One translator per model, loaded once per run; a model that cannot be had is remembered."""

from __future__ import annotations

from xling.errors import UsageError, XlingError
from xling.pipeline.options import Options, TranslatorFactory
from xling.translate.base import Translator, missing_members


def marian_factory(options: Options) -> TranslatorFactory:
    """Model name → a Marian translator on the run's backend (the device is checked once, by the run)."""

    def load(model: str) -> Translator:
        from xling.models import resolve
        from xling.translate.backends import create_translator

        return create_translator(resolve(model, options.offline), options.settings, options.runtime(),
                                 options.backend)

    return load


class TranslatorPool:
    """Translators by model name, from ``factory``; each is checked against ``Translator`` once."""

    def __init__(self, factory: TranslatorFactory) -> None:
        self.factory = factory
        self.loaded: dict[str, Translator] = {}
        self.unavailable: dict[str, XlingError] = {}

    def get(self, model: str) -> Translator:
        """The translator for ``model``; a failure to load is raised again for every later document."""
        if model in self.unavailable:
            raise self.unavailable[model]
        if model not in self.loaded:
            try:
                translator = self.factory(model)
            except XlingError as exc:
                self.unavailable[model] = exc
                raise
            if missing := missing_members(translator):
                raise UsageError(f"the translator for {model} lacks {', '.join(missing)} (see "
                                 "xling.translate.base.Translator; TranslatorBase gives defaults)")
            self.loaded[model] = translator
        return self.loaded[model]
