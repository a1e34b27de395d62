"""``python bot.py demo``: the real bot in a terminal chat (the entry point is :mod:`.run`).

The demo was one module; it is a package so that each part stays small and readable:

* :mod:`bot.devtools.demo.run`: the options, the entry point, and the setup of the emulator,
  the real application and the throw-away database (its docstring describes the demo);
* :mod:`bot.devtools.demo.chat`: the personas and what a typed line does;
* :mod:`bot.devtools.demo.terminal`: how the bot's messages, buttons and files are drawn;
* :mod:`bot.devtools.demo.lines`: reading the user's lines from stdin;
* :mod:`bot.devtools.demo.keep`: ``--keep``, copying the database out before it is deleted.

Nothing is re-exported here: ``run`` imports :mod:`bot.app`, the deepest product module, so
re-exporting it would put this package one level above it in the import graph
(``tests/test_layers.py``). ``bot.py`` imports ``bot.devtools.demo.run`` directly.
"""
