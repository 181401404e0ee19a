import IndicatorKit
import Indicators

ModuleRunner.run(PlanCompletionModule())
