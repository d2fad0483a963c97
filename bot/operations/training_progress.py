"""How far `rasa train` has got, read from its own output, as one progress bar.

Rasa logs "Starting to train component 'X'" and "Finished training component 'X'" (or
"Restored component 'X' from cache") for every component that learns something, and draws a
tqdm bar of epochs for the slow ones (DIET, the ResponseSelector). The bar counts finished
components out of those in config.yml, the current component's epochs counted in.
"""

from __future__ import annotations

import re
from pathlib import Path

BAR_WIDTH = 20
_STARTED = re.compile(r"Starting to train component '(\w+)'")
_FINISHED = re.compile(r"(?:Finished training|Restored) component '(\w+)'")
_EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
_COMPONENT = re.compile(r"^\s*-\s*name:\s*[\"']?([\w.]+)", re.MULTILINE)


def components_to_train(config: Path) -> int:
    """The entries of config.yml that Rasa trains. Tokenizers and the FallbackClassifier
    have nothing to learn, and Rasa logs no training for them."""
    names = _COMPONENT.findall(config.read_text())
    learning = [n for n in names if not n.endswith("Tokenizer") and n != "FallbackClassifier"]
    return max(1, len(learning))


class TrainingProgress:
    """Fed `rasa train`'s output piece by piece; says where it is, bar first."""

    def __init__(self, components: int) -> None:
        self.components = components
        self.finished = 0
        self.current = ""
        self.epochs = (0, 0)  # of the current component: done, total
        self._pending = ""

    def __call__(self, text: str) -> str:
        # A tqdm bar redraws itself after "\r"; the last piece may still be half written.
        *complete, self._pending = re.split(r"[\r\n]", self._pending + text)
        for piece in complete:
            self._read(piece)
        self._read_epochs(self._pending)
        return self.describe()

    def _read(self, piece: str) -> None:
        if started := _STARTED.search(piece):
            self.current, self.epochs = started.group(1), (0, 0)
        elif _FINISHED.search(piece):
            self.finished += 1
            self.current, self.epochs = "", (0, 0)
        else:
            self._read_epochs(piece)

    def _read_epochs(self, piece: str) -> None:
        if epochs := _EPOCHS.search(piece):
            self.epochs = (int(epochs.group(1)), int(epochs.group(2)))

    def fraction(self) -> float:
        """Never 100 % before Rasa says it has finished: saving the model still takes time."""
        done, total = self.epochs
        share = done / total if total else 0.0
        return min(0.99, (self.finished + share) / self.components)

    def describe(self) -> str:
        filled = round(self.fraction() * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        doing = self.current or ("checking the data" if not self.finished else "")
        if self.current and self.epochs[1]:
            doing += f", epoch {self.epochs[0]}/{self.epochs[1]}"
        return f"[{bar}] {self.fraction():4.0%} {doing}".rstrip()
