"""The annual plan, plenary, standing-committee, special, quarterly, counterpart and sector consultations (P1–P7)
and the outcome loop they call (P9): meetings, attendance, outcomes, instructions, implementation, feedback."""
