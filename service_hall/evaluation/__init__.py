"""Evaluation of the delegated powers (赋权事项评估) per town and per power: figures, tables and exports."""
