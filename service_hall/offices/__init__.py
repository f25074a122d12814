"""County departments (部门) that originally hold powers and entrust them, and the towns' service windows."""
