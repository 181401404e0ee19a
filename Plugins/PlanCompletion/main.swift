// import IndicatorKit; import Indicators; ModuleRunner.run(PlanCompletionModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
