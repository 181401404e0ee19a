enum ReviewCorePlaceholder {}
