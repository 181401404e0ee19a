enum ReviewCommandsPlaceholder {}
