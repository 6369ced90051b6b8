"""The record of what happened: every JSON writer (`documents`) and the one session folder
store (`store`). History and reports are fed from here."""
