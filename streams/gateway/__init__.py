"""What a gateway embeds (the enforcement client and its rules), and the demo gateway."""
