from django.core.mail.backends.console import EmailBackend


class OneLineConsoleBackend(EmailBackend):
    """Writes one line per e-mail (recipients and subject) instead of the whole message: what the demo data sends."""

    def write_message(self, message):
        self.stream.write(f"E-mail to {', '.join(message.recipients())}: {message.subject}\n")
