"""People: accounts and passwords, the members' roster, units and roles (processes/), permissions, demo people."""
