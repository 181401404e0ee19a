enum RulebooksPlaceholder {}
