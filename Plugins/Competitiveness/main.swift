import IndicatorKit
import Indicators

ModuleRunner.run(CompetitivenessModule())
