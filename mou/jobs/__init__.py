"""Work that runs by itself: the agreement tick, reminders, notification delivery.

``tasks`` holds the job functions, the same on both engines. PostgreSQL: procrastinate runs
them (``queue``, ``mou worker``); SQLite: the app runs them in-process (``inprocess``). Nothing
else decides between the two.
"""
