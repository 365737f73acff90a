"""What a case page shows: who may view it, its history, opinions and instructions, attachments, form drafts, and
the checks on form fields that name units, members or other cases."""
